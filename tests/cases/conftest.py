from __future__ import annotations

import pytest

from accounts.choices import Role
from accounts.models import User
from tests.conftest import World
from tests.factories import UserFactory


@pytest.fixture
def national(world: World) -> User:
    """A supervisor of the ministry: the whole country is her territory."""
    return UserFactory.create(username="national", role=Role.SUPERVISOR, agency=world.mosvy)
