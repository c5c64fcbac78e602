"""The address register: the office's address points (the national register's open data)
and the geocoder that turns a typed address into a point on the map."""
