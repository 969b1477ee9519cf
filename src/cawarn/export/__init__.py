"""Writing events out in open formats: CSV (with optional HXL hashtags) and GeoJSON."""

from cawarn.export.events import EXPORT_COLUMNS, HXL_TAGS, write_csv, write_geojson

__all__ = ["EXPORT_COLUMNS", "HXL_TAGS", "write_csv", "write_geojson"]
