"""cairn.geography.maps: projection, framing and SVG path data, tested with its page."""

import math

import numpy as np
import pytest
from shapely.geometry import Polygon

from cairn.geography.maps import (
    MAX_ASPECT,
    VIEW_WIDTH,
    community_map,
    frame_around,
    path_data,
    projected_path,
)


def test_frame_keeps_shapes_in_proportion_at_the_mid_latitude():
    # One degree by one degree at 60° N is twice as tall as it is wide on the ground.
    frame = frame_around((-120.0, 59.5, -119.0, 60.5))

    corners = frame.project(np.array([[-120.0, 59.5], [-119.0, 60.5]]))
    width, height = corners[1, 0] - corners[0, 0], corners[0, 1] - corners[1, 1]
    assert height / width == pytest.approx(1 / math.cos(math.radians(60)), rel=1e-6)


def test_frame_leaves_a_margin_and_never_crops_a_tall_community():
    bounds = (-120.0, 50.0, -119.9, 52.0)  # very tall and thin
    frame = frame_around(bounds)

    assert frame.width == VIEW_WIDTH
    assert frame.height <= VIEW_WIDTH * MAX_ASPECT + 0.1
    xy = frame.project(np.array([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]))
    assert (xy[:, 0] > 0).all() and (xy[:, 0] < frame.width).all()
    assert (xy[:, 1] > 0).all() and (xy[:, 1] < frame.height).all()


def test_north_is_up():
    frame = frame_around((-120.0, 50.0, -119.0, 51.0))

    south, north = frame.project(np.array([[-119.5, 50.0], [-119.5, 51.0]]))
    assert north[1] < south[1]


def test_path_data_draws_holes_as_extra_rings():
    square_with_hole = Polygon(
        [(0, 0), (100, 0), (100, 100), (0, 100)], holes=[[(25, 25), (75, 25), (75, 75), (25, 75)]]
    )

    d = path_data(square_with_hole)

    assert d == "M0,0L100,0L100,100L0,100ZM25,25L75,25L75,75L25,75Z"


def test_projected_path_clips_neighbours_to_the_frame():
    frame = frame_around((-120.0, 50.0, -119.0, 51.0))
    huge = {
        "type": "Polygon",
        "coordinates": [[[-130, 40], [-110, 40], [-110, 60], [-130, 60], [-130, 40]]],
    }

    d = projected_path(huge, frame, tolerance=1.0, clip=True)

    numbers = [
        float(n)
        for n in d.replace("M", " ").replace("L", " ").replace("Z", " ").replace(",", " ").split()
    ]
    assert max(numbers) <= max(frame.width, frame.height) + 5


def test_community_map_of_prince_george(prince_george):
    boundary_map = community_map(prince_george)

    assert boundary_map.view_box.startswith("0 0 640 ")
    assert boundary_map.community.d.startswith("M")
    assert {n.name for n in boundary_map.neighbours} == {"Burns Lake", "Nechako", "Quesnel"}
    assert "Prince George" in boundary_map.description
    assert len(boundary_map.community.d) < 40_000  # simplified: the stored boundary is 155 KB


def test_community_without_boundary_has_no_map(prince_george):
    prince_george.boundary = None

    assert community_map(prince_george) is None
