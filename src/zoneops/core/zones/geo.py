"""Map geometry: WGS-84 → GCJ-02, coordinate cells, and zone boundaries (GeoJSON).

Points are stored in WGS-84 (what GPS and the national 天地图 use). Chinese commercial map
services (高德, 腾讯) expect GCJ-02, so exports offer those columns too. The conversion is the
published standard algorithm (the same as eviltransform and coordtransform); it is an
approximation of the state's obfuscation, good to about a metre.
"""

import json
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zoneops.core.zones.models import CHINA_LATITUDE, CHINA_LONGITUDE

# Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
_A = 6378245.0
_EE = 0.00669342162296594323

BOUNDARY_MAX_BYTES = 2 * 1024 * 1024
BOUNDARY_MAX_POSITIONS = 200_000


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def out_of_china(longitude: float, latitude: float) -> bool:
    """The rectangle the GCJ-02 algorithm treats as China (no offset outside it)."""
    return not (72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271)


def wgs84_to_gcj02(longitude, latitude) -> tuple[float, float]:
    """(longitude, latitude) in GCJ-02 for a WGS-84 point; unchanged outside China."""
    lon, lat = float(longitude), float(latitude)
    if out_of_china(lon, lat):
        return lon, lat
    d_lat = _delta_lat(lon - 105.0, lat - 35.0)
    d_lon = _delta_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def gcj02_columns(obj, index: int):
    """Export accessor: GCJ-02 longitude (index 0) or latitude (1), rounded to 6 places."""
    if obj.longitude is None or obj.latitude is None:
        return None
    return round(wgs84_to_gcj02(obj.longitude, obj.latitude)[index], 6)


# Coordinate cells (imports) ------------------------------------------------------------------

SIX = Decimal("0.000001")


def parse_coordinate(text, low: float, high: float, outside: str) -> Decimal:
    """A longitude or latitude cell as a Decimal with six places; ValueError with the reason."""
    if isinstance(text, bool):
        raise ValueError(_("Not a number."))
    if isinstance(text, int | float):
        text = repr(text)
    cleaned = str(text).strip().rstrip("°").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Not a number."))
    if not Decimal(str(low)) <= value <= Decimal(str(high)):
        raise ValueError(outside)
    return value.quantize(SIX)


def parse_point(longitude_text, latitude_text) -> tuple[tuple | None, list[tuple[str, str]]]:
    """Both cells of a point: ((longitude, latitude) or None, [(field name, reason)]).

    Both empty is no point; one empty, or either outside China, is an error on that field.
    """
    lon_empty = longitude_text in (None, "") or str(longitude_text).strip() == ""
    lat_empty = latitude_text in (None, "") or str(latitude_text).strip() == ""
    if lon_empty and lat_empty:
        return None, []
    problems = []
    if lon_empty or lat_empty:
        field = "longitude" if lon_empty else "latitude"
        return None, [(field, _("Give both longitude and latitude, or neither."))]
    values = {}
    for field, text, (low, high), outside in (
        ("longitude", longitude_text, CHINA_LONGITUDE, _("Longitude is outside China.")),
        ("latitude", latitude_text, CHINA_LATITUDE, _("Latitude is outside China.")),
    ):
        try:
            values[field] = parse_coordinate(text, low, high, outside)
        except ValueError as exc:
            problems.append((field, str(exc)))
    if problems:
        return None, problems
    return (values["longitude"], values["latitude"]), []


# Zone boundaries ----------------------------------------------------------------------------

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


def _check_position(position, where: str) -> list[float]:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
    ):
        raise ValidationError(
            _("{where}: a position must be [longitude, latitude].").format(where=where)
        )
    lon, lat = float(position[0]), float(position[1])
    if not (
        CHINA_LONGITUDE[0] <= lon <= CHINA_LONGITUDE[1]
        and CHINA_LATITUDE[0] <= lat <= CHINA_LATITUDE[1]
    ):
        raise ValidationError(
            _(
                "{where}: the point {lon}, {lat} is outside China; "
                "coordinates must be WGS-84 longitude, latitude in degrees."
            ).format(where=where, lon=position[0], lat=position[1])
        )
    return [round(lon, 6), round(lat, 6)]


def _check_polygon(rings, where: str, counter: list[int]) -> list:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("{where}: a polygon needs at least one ring.").format(where=where))
    checked = []
    for number, ring in enumerate(rings, start=1):
        place = _("{where}, ring {number}").format(where=where, number=number)
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(
                _("{where}: a ring needs at least 4 positions.").format(where=place)
            )
        counter[0] += len(ring)
        if counter[0] > BOUNDARY_MAX_POSITIONS:
            raise ValidationError(
                _("The boundary has more than {limit} points; simplify it first.").format(
                    limit=BOUNDARY_MAX_POSITIONS
                )
            )
        positions = [_check_position(p, place) for p in ring]
        if positions[0] != positions[-1]:
            raise ValidationError(
                _(
                    "{where}: the ring is not closed (its last position must equal its first)."
                ).format(where=place)
            )
        checked.append(positions)
    return checked


def _check_geometry(geometry, where: str, counter: list[int]) -> dict:
    if not isinstance(geometry, dict):
        raise ValidationError(_("{where}: no geometry.").format(where=where))
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        raise ValidationError(
            _(
                "{where}: the geometry is “{kind}”; only Polygon and MultiPolygon outline a zone."
            ).format(where=where, kind=kind)
        )
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _check_polygon(coordinates, where, counter)}
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError(
            _("{where}: a MultiPolygon needs at least one polygon.").format(where=where)
        )
    polygons = [
        _check_polygon(
            polygon, _("{where}, polygon {number}").format(where=where, number=n), counter
        )
        for n, polygon in enumerate(coordinates, start=1)
    ]
    return {"type": kind, "coordinates": polygons}


def parse_boundary(content: bytes, *, name: str = "") -> dict:
    """A zone boundary from an uploaded GeoJSON file, as a FeatureCollection of its polygons.

    Accepts a Polygon, MultiPolygon, Feature or FeatureCollection in WGS-84; raises
    ValidationError with a message saying what is wrong and where.
    """
    if len(content) > BOUNDARY_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than {size} MB; simplify the boundary first.").format(
                size=BOUNDARY_MAX_BYTES // (1024 * 1024)
            )
        )
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(
            _("The file is not valid GeoJSON (JSON text in UTF-8): {error}").format(error=exc)
        ) from None
    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError(_("The file is not a GeoJSON object (it has no “type”)."))
    counter = [0]
    kind = data["type"]
    features = []
    if kind in GEOMETRY_TYPES:
        features.append(_check_geometry(data, _("Geometry"), counter))
    elif kind == "Feature":
        features.append(_check_geometry(data.get("geometry"), _("Feature"), counter))
    elif kind == "FeatureCollection":
        items = data.get("features")
        if not isinstance(items, list) or not items:
            raise ValidationError(_("The FeatureCollection has no features."))
        for number, feature in enumerate(items, start=1):
            where = _("Feature {number}").format(number=number)
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise ValidationError(_("{where}: not a Feature.").format(where=where))
            features.append(_check_geometry(feature.get("geometry"), where, counter))
    else:
        raise ValidationError(
            _(
                "The GeoJSON type is “{kind}”; upload a Polygon, MultiPolygon, Feature "
                "or FeatureCollection."
            ).format(kind=kind)
        )
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": name}, "geometry": geometry}
            for geometry in features
        ],
    }


def boundary_extent(boundary: dict | None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a stored boundary."""
    if not boundary:
        return None
    lons, lats = [], []
    for feature in boundary.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                for lon, lat, *_rest in ring:
                    lons.append(lon)
                    lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


# Points inside boundaries (demo and synthetic data) ------------------------------------------


def _in_ring(lon: float, lat: float, ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _polygons(boundary: dict):
    for feature in boundary.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            yield geometry["coordinates"]
        elif geometry.get("type") == "MultiPolygon":
            yield from geometry["coordinates"]


def contains(boundary: dict, longitude, latitude) -> bool:
    """Whether a point lies inside a stored boundary (outer rings minus their holes)."""
    lon, lat = float(longitude), float(latitude)
    return any(
        _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, hole) for hole in rings[1:])
        for rings in _polygons(boundary)
    )


def sample_point(boundary: dict, rng) -> tuple[Decimal, Decimal] | None:
    """A random point inside ``boundary`` (``rng`` a ``random.Random``), six decimal places."""
    west, south, east, north = boundary_extent(boundary)
    for _attempt in range(200):
        lon = west + (east - west) * rng.random()
        lat = south + (north - south) * rng.random()
        if contains(boundary, lon, lat):
            return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")
    return None


def synthetic_centre(zone) -> tuple[float, float]:
    """The centre of a zone's synthetic points (a park shares its development zone's)."""
    import random

    from zoneops.core.zones.models import Zone

    home = zone.parent if zone.kind == Zone.Kind.INDUSTRIAL_PARK and zone.parent_id else zone
    centre = random.Random(f"zone-centre:{home.code}")
    return 124.5 + centre.random() * 3.0, 42.8 + centre.random() * 2.4


def synthetic_point(zone, index: int, kind: str = "") -> tuple[Decimal, Decimal]:
    """A deterministic point for synthetic data: around a centre in Jilin province chosen by
    the zone (a park shares its development zone's centre), within about 6 km of it. Uses its
    own generator, so the caller's other synthetic values stay as they were."""
    import random

    lon0, lat0 = synthetic_centre(zone)
    rng = random.Random(f"{kind}:{zone.code}:{index}")
    lon = lon0 + (rng.random() - 0.5) * 0.16
    lat = lat0 + (rng.random() - 0.5) * 0.11
    return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")


def ring(*corners: tuple[float, float]) -> list[list[float]]:
    """A closed ring from its corners (the first is repeated at the end)."""
    points = [[lon, lat] for lon, lat in corners]
    return [*points, points[0]]


def feature_collection(name: str, polygons: list[list[list[list[float]]]], source: str) -> dict:
    """A stored boundary from polygons (each a list of rings)."""
    geometry = (
        {"type": "Polygon", "coordinates": polygons[0]}
        if len(polygons) == 1
        else {"type": "MultiPolygon", "coordinates": polygons}
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name, "source": source},
                "geometry": geometry,
            }
        ],
    }


# The API ------------------------------------------------------------------------------------

# Serializer field arguments for longitude and latitude: Decimal limits (DRF wants Decimals).
API_FIELD_KWARGS = {
    "longitude": {
        "min_value": Decimal(str(CHINA_LONGITUDE[0])),
        "max_value": Decimal(str(CHINA_LONGITUDE[1])),
    },
    "latitude": {
        "min_value": Decimal(str(CHINA_LATITUDE[0])),
        "max_value": Decimal(str(CHINA_LATITUDE[1])),
    },
}


def pair_problem(data: dict, instance=None) -> dict | None:
    """For an API write (a partial one too): {field: reason} when only one coordinate is set."""
    lon = data["longitude"] if "longitude" in data else getattr(instance, "longitude", None)
    lat = data["latitude"] if "latitude" in data else getattr(instance, "latitude", None)
    if (lon is None) == (lat is None):
        return None
    return {
        "latitude" if lat is None else "longitude": _(
            "Give both longitude and latitude, or neither."
        )
    }
