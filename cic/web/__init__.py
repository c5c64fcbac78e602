"""The controller's web application: the app factory, middleware, the status page."""
