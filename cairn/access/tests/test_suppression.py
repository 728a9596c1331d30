import pytest

from cairn.access.suppression import suppress_count, suppress_counts, suppress_row


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (120, 120)])
def test_counts_from_one_to_four_are_suppressed(count, shown):
    assert suppress_count(count) == shown


def test_single_suppressed_cell_gets_a_complementary_suppression():
    shown = suppress_counts({"female": 3, "male": 40, "unknown": 12})
    assert shown == {"female": None, "male": 40, "unknown": None}


def test_two_small_cells_also_get_a_complement_so_their_sum_reveals_nothing():
    shown = suppress_counts({"female": 1, "male": 40, "unknown": 1, "another": 10})
    assert shown == {"female": None, "male": 40, "unknown": None, "another": None}


def test_zero_is_shown_and_never_chosen_as_the_complement():
    shown = suppress_counts({"female": 3, "male": 40, "unknown": 0})
    assert shown == {"female": None, "male": None, "unknown": 0}


def test_no_complement_when_total_is_not_published():
    shown = suppress_counts({"female": 3, "male": 40}, total_shown=False)
    assert shown == {"female": None, "male": 40}


def test_total_is_hidden_when_hidden_cells_have_no_complement():
    shown, total = suppress_row({"ed": 4, "paramedic": 4, "coroner": 0})
    assert shown == {"ed": None, "paramedic": None, "coroner": 0}
    assert total is None


def test_total_is_shown_when_a_complement_hides_the_small_cell():
    shown, total = suppress_row({"ed": 3, "paramedic": 12, "coroner": 0})
    assert shown == {"ed": None, "paramedic": None, "coroner": 0}
    assert total == 15
