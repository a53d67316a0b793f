"""The pack station's parts beside its page (``ui/pages/pack_station_page.py``, the view): the scan
controller (the box and its rules, no widgets) and the documents (packing slips and pick lists)."""
