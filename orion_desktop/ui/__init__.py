"""The Qt GUI. It talks only to the ``Services`` object and domain types, never to the database."""
