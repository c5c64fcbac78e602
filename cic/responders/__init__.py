"""Responders (sołtysi, OSP units, the road crew, officials on duty, police liaison): their
base, contact channels, on-duty calendar and availability; "send the nearest available" and
the dispatches with their acknowledgement."""
