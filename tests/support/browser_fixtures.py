"""Fixtures of the browser tests (a pytest plugin, listed in ``tests/conftest.py``): one
Chromium per module, and the people who join the board in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.browser import Person, chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture
def claire(browser: Browser) -> Iterator[Person]:
    person = Person(browser, "Claire")
    yield person
    person.close()


@pytest.fixture
def marie(browser: Browser) -> Iterator[Person]:
    person = Person(browser, "Marie")
    yield person
    person.close()


@pytest.fixture
def trio(browser: Browser) -> Iterator[tuple[Person, Person, Person]]:
    """The facilitator Claire and two participants, Marie and Paul."""
    people = (Person(browser, "Claire"), Person(browser, "Marie"), Person(browser, "Paul"))
    yield people
    for person in people:
        person.close()
