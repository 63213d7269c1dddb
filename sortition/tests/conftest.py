import pytest

from councils.factories import UserFactory
from councils.models import College
from councils.services import council_add_editor
from sortition import samples, services


@pytest.fixture
def editor_b(council_b):
    user = UserFactory(username="editeur-b-tirage")
    council_add_editor(council=council_b, user=user)
    return user


@pytest.fixture
def drawn_college(council_a):
    return College.objects.create(council=council_a, name="Tirés au sort", drawn_by_lot=True, sort_order=2)


def pool_files(size, panel_size, *, seed=1, slack=0.15):
    people = samples.pool(size, seed=seed)
    return samples.to_csv(people), samples.to_csv(samples.quotas_for(people, panel_size, slack=slack))


@pytest.fixture
def make_draw(django_capture_on_commit_callbacks):
    """Create a draw as the admin does; the background task runs when the transaction commits."""

    def make(*, council, by, size=40, panel_size=10, algorithm="legacy", seed=4242, files=None, **extra):
        candidates, quotas = files or pool_files(size, panel_size)
        with django_capture_on_commit_callbacks(execute=True):
            draw = services.draw_create(
                council=council,
                title=extra.pop("title", "Assemblée citoyenne"),
                panel_size=panel_size,
                candidates_file=candidates.encode(),
                quotas_file=quotas.encode(),
                seed=seed,
                algorithm=algorithm,
                by=by,
            )
        draw.refresh_from_db()
        return draw

    return make
