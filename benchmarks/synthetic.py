"""Synthetic profiles for the benchmarks: realistic fields, deterministic for a given seed."""

from __future__ import annotations

import random

import yaml

RELATIONSHIPS = ["friend", "family", "colleague", "alumni", "referral", "cold", "recruiter"]
STATUSES = ["to-contact", "requested", "scheduled", "met", "thanked", "following-up", "no-response", "closed"]
FIRST = [
    "Maya",
    "Jordan",
    "Priya",
    "Sam",
    "Elena",
    "Tom",
    "Rosa",
    "Kenji",
    "Grace",
    "Dev",
    "Zoë",
    "Åsa",
    "Wang",
    "Olu",
    "Inés",
]
LAST = [
    "Chen",
    "Smith",
    "Raman",
    "Okafor",
    "García",
    "Becker",
    "Lopez",
    "Watanabe",
    "Mensah",
    "Patel",
    "Ødegård",
    "Nguyen",
]
TITLES = [
    "Director of Career Services",
    "Career Advisor",
    "Technical Recruiter",
    "Instructional Designer",
    "Employer Relations Manager",
    "Associate Dean of Students",
    "Software Engineer",
]
COMPANIES = [
    "Portland State University",
    "Reed College",
    "Brightwave Software",
    "Summit Talent Partners",
    "University of Portland",
    "Lewis & Clark College",
    "Portland Community College",
]
TOPICS = [
    "adult learning",
    "onboarding design",
    "student success",
    "career readiness",
    "internships",
    "employer partnerships",
    "first-generation students",
    "skills-based hiring",
    "microlearning",
]
HOBBIES = ["trail running", "sourdough baking", "pottery", "birdwatching", "salsa dancing", "bouldering"]
NEEDS = [
    "a trainer for LinkedIn workshops",
    "better video for job postings",
    "a spreadsheet to track outreach",
    "volunteers",
]


def profile(contacts: int, seed: int = 1, name: str = "Bench Mark") -> dict:
    rng = random.Random(seed)
    people = []
    for number in range(contacts):
        person = {
            "id": f"contact-{number:03d}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}",
            "role": rng.choice(TITLES),
            "company": rng.choice(COMPANIES),
            "target_role": rng.choice(["career-advisor", "employer-relations", "learning-designer"]),
            "relationship": RELATIONSHIPS[number % len(RELATIONSHIPS)],
            "how_we_met": "Met at a workshop on career readiness",
            "interests": rng.sample(TOPICS, rng.randint(0, 2)),
            "hobbies": rng.sample(HOBBIES, rng.randint(0, 1)),
            "needs": rng.sample(NEEDS, rng.randint(0, 1)),
            "status": STATUSES[number % len(STATUSES)],
            "questions": [f"What changed in your team in {2020 + number % 5}?"] if number % 3 == 0 else [],
            "notes": "Ask about the *pilot*.\n\n- follow up in spring\n- send the [report](https://example.org/report)\n",
        }
        if number and person["relationship"] == "referral":
            person["referred_by"] = f"contact-{number - 1:03d}"
        if number % 2 == 0:
            person["meeting"] = {
                "date": f"2026-12-{1 + number % 28:02d}T10:00",
                "minutes": [15, 20, 30, 45][number % 4],
                "format": "video",
            }
        people.append(person)
    return {
        "seeker": {
            "name": name,
            "headline": "Trainer moving into career services",
            "strengths": ["LinkedIn profile reviews", "Designing workshops", "Video editing"],
        },
        "settings": {"timezone": "America/Los_Angeles"},
        "target_roles": [
            {
                "id": "career-advisor",
                "title": "Career Advisor",
                "industry": "Higher education",
                "companies": ["Portland State University"],
                "keywords": ["advising"],
            },
            {"id": "employer-relations", "title": "Employer Relations Coordinator", "industry": "Higher education"},
            {"id": "learning-designer", "title": "Career Education Program Designer", "industry": "Higher education"},
        ],
        "contacts": people,
    }


def profile_yaml(contacts: int, seed: int = 1, name: str = "Bench Mark") -> str:
    return yaml.safe_dump(profile(contacts, seed, name), allow_unicode=True, sort_keys=False)
