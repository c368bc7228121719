"""The web layer: Litestar app factory and one module per area (respond, auth, staff, downloads)."""
