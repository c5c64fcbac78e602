"""The incident register of the municipal safety system: the threat catalogue, incidents with
their location, status workflow, history and links to calls and reports, duplicates merged,
the staff map and reporting from a call, the portal and staff."""
