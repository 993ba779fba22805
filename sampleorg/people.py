"""The people of the organisation: who is in which team, since when, and who writes or reviews."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sampleorg.config import OrgConfig

__all__ = ["BOT", "Person", "Staff", "build_staff"]

FIRST_NAMES = (
    "Ada", "Amir", "Ana", "Ben", "Bilal", "Chen", "Chloe", "Dana", "Diego", "Elif", "Emma", "Farah",
    "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jade", "Jonas", "Kai", "Kemal", "Lara", "Leo",
    "Lina", "Maya", "Mateo", "Mei", "Nadia", "Nils", "Noor", "Omar", "Priya", "Rafael", "Rosa", "Sam",
    "Sara", "Sven", "Tara", "Tomas", "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Abbott", "Bauer", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Singh", "Tanaka",
    "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Novak", "Silva", "Kim", "Osei",
)

BOT = "dependabot[bot]"


@dataclass(frozen=True)
class Person:
    """An engineer: `login` is their id in commits, pull requests and reviews."""

    login: str
    name: str
    team: str
    joined: date
    new_hire: bool


class Staff:
    """Everyone, by team; picks authors and reviewers among those already employed."""

    def __init__(self, people: list[Person], cross_team_authors: float, cross_team_reviews: float,
                 skew: tuple[str, datetime, datetime, timedelta] | None = None):
        self.people = people
        self.skew = skew
        self.by_team: dict[str, list[Person]] = {}
        self.team_of: dict[str, str] = {person.login: person.team for person in people}
        for person in people:
            self.by_team.setdefault(person.team, []).append(person)
        self.cross_team_authors = cross_team_authors
        self.cross_team_reviews = cross_team_reviews

    def clock_error(self, login: str, moment: datetime) -> timedelta:
        """How far ahead `login`'s laptop clock runs at `moment` (zero for nearly everyone)."""
        if self.skew is not None:
            skewed, since, until, error = self.skew
            if login == skewed and since <= moment < until:
                return error
        return timedelta(0)

    def active(self, team: str, moment: datetime) -> list[Person]:
        """The team's people who had joined by `moment`'s date."""
        return [p for p in self.by_team[team] if p.joined <= moment.date()]

    def _others(self, team: str, moment: datetime) -> list[Person]:
        return [p for t in sorted(self.by_team) if t != team for p in self.active(t, moment)]

    def author(self, team: str, moment: datetime, rng: random.Random) -> Person:
        """Who opens a pull request in a repository of `team` (sometimes a visitor)."""
        others = self._others(team, moment)
        if others and rng.random() < self.cross_team_authors:
            return rng.choice(others)
        return rng.choice(self.active(team, moment))

    def reviewers(self, team: str, author: str, moment: datetime, rng: random.Random, count: int) -> list[Person]:
        """`count` distinct reviewers other than the author, mostly from the owning team."""
        chosen: list[Person] = []
        for _ in range(count):
            own = [p for p in self.active(team, moment) if p.login != author and p not in chosen]
            others = [p for p in self._others(team, moment) if p.login != author and p not in chosen]
            pool = others if (others and (not own or rng.random() < self.cross_team_reviews)) else own
            if pool:
                chosen.append(rng.choice(pool))
        return chosen


def build_staff(config: OrgConfig, end: date) -> Staff:
    """People of every configured team; new hires join in the middle half of the history.

    Names depend on the configuration's seed only, so the organisation looks the same whatever
    the anchor date; join dates are relative to it.
    """
    rng = random.Random(f"{config.seed}:people")
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    used: set[str] = set()
    people = []
    history_start = end - timedelta(days=config.days)
    for team in config.teams:
        for index in range(team.size + team.new_hires):
            first, last = names.pop()
            login = f"{first[0]}{last}".lower()
            while login in used:
                login += str(len(used) % 10)
            used.add(login)
            new_hire = index >= team.size
            if new_hire:
                joined = end - timedelta(days=rng.randint(config.days // 4, config.days * 3 // 4))
            else:
                joined = history_start - timedelta(days=rng.randint(30, 2000))
            people.append(Person(login, f"{first} {last}", team.id, joined, new_hire))
    skew = None
    if config.skewed_clock is not None:
        quirk = config.skewed_clock
        person = rng.choice([p for p in people if p.team == quirk.team and not p.new_hire])
        anchor = datetime.combine(end, time(0), tzinfo=UTC)
        skew = (person.login, anchor - timedelta(days=quirk.days_ago[1]),
                anchor - timedelta(days=quirk.days_ago[0]), timedelta(hours=quirk.hours))
    return Staff(people, config.defaults.cross_team_authors, config.defaults.cross_team_reviews, skew)
