"""The command-line interface: argparse on top of the services. Never imports Qt or SQLAlchemy."""
