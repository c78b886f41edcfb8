import pytest

from skranke.queue.errors import IllegalTransition
from skranke.queue.states import TicketState, transition

S = TicketState


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.WAITING, S.CALLED),
        (S.CALLED, S.SERVING),
        (S.SERVING, S.DONE),
        (S.CALLED, S.NO_SHOW),
        (S.CALLED, S.WAITING),
        (S.SERVING, S.TRANSFERRED),
        (S.WAITING, S.CANCELLED),
        (S.WAITING, S.CLOSED),
        (S.PARKED, S.CALLED),
    ],
)
def test_lifecycle_moves_are_allowed(current: TicketState, target: TicketState) -> None:
    assert transition(current, target) == target


def test_finishing_a_waiting_ticket_is_refused_with_expected_and_actual() -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition(S.WAITING, S.DONE)

    assert str(caught.value) == "Cannot move ticket to done: expected serving, but got waiting"


@pytest.mark.parametrize("final", [S.DONE, S.NO_SHOW, S.TRANSFERRED, S.CANCELLED, S.CLOSED])
def test_finished_tickets_never_move_again(final: TicketState) -> None:
    for target in S:
        with pytest.raises(IllegalTransition):
            transition(final, target)
