"""The HTTP seam every domain's views share: JSON bodies, query values, errors, live streams."""
