"""The connector's web app: one-click connection, webhooks, the scoring API, workflow
actions, health and metrics (`create_app` in `connector.web.app`)."""
