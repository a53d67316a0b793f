"""Qt item models over service results (frozen dataclasses); they never query inside ``data()``."""
