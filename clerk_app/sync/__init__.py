"""The sync engine: push the outbox, pull what the county decided, retry with backoff.

Plain Python (no Qt). ``clerk_app.services.sync_admin`` holds the use cases the UI calls;
``clerk_app.ui.sync_status`` runs them in the background.
"""
