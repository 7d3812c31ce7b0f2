"""Synthetic practices for load tests and benchmarks: realistic Russian text, all regions and
themes, every one marked `synthetic` (never part of seed_data/). Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.catalogue.reference import Reference
from app.models import Practice, PracticeTheme, Status, utcnow

SUBJECTS = [
    "благоустройство дворовых территорий", "народный бюджет", "школа старост", "юнармейский отряд",
    "территориальное общественное самоуправление", "цифровая приёмная главы", "муниципальный центр управления",
    "раздельный сбор отходов", "ремонт сельских дорог", "поддержка малого предпринимательства",
    "волонтёрский центр", "инклюзивная детская площадка", "мобильная библиотека", "ёлка во дворе",
    "энергосбережение в бюджетных учреждениях", "молодёжный совет", "социальное такси для пожилых",
    "сельский туризм", "капитальный ремонт многоквартирных домов", "межнациональный фестиваль",
    "общественные слушания онлайн", "ГТО для старшего поколения", "экологическая тропа",
    "муниципальная платформа обратной связи", "бережливое управление", "кадровый резерв муниципальной службы",
]
ACTIONS = ["Создание", "Развитие", "Модернизация", "Внедрение", "Организация", "Поддержка", "Проект"]
PROBLEMS = [
    "Жители редко участвовали в решении вопросов местного значения.",
    "Дворовые территории десятилетиями не ремонтировались, а обращения жителей оставались без ответа.",
    "В сельских поселениях не хватало специалистов и средств на содержание инфраструктуры.",
    "Молодёжь уезжала из района, не видя возможностей для самореализации.",
    "Пожилые граждане оставались в изоляции и не получали своевременной помощи.",
    "Расходы на отопление и освещение муниципальных зданий росли быстрее бюджета.",
]
SOLUTIONS = [
    "Администрация вместе с советом депутатов разработала порядок отбора инициатив и софинансирования.",
    "Создана рабочая группа, проведены встречи с жителями, запущена онлайн-платформа для голосования.",
    "Органы местного самоуправления заключили соглашения с предприятиями и некоммерческими организациями.",
    "Специалисты прошли обучение, а лучшие решения соседних муниципалитетов были адаптированы.",
    "Проект реализован при участии ТОС, школ, учреждений культуры и волонтёров.",
]
OUTCOMES = [
    "Число обращений жителей сократилось, а удовлетворённость качеством услуг выросла.",
    "Благоустроены общественные пространства, которыми пользуются тысячи жителей.",
    "Практика тиражирована в соседних поселениях и отмечена на региональном конкурсе.",
    "Экономия бюджета направлена на ремонт учреждений образования.",
]
INDICATORS = [("Участников", "чел."), ("Проектов", "шт."), ("Экономия бюджета", "тыс. руб."), ("Обращений", "шт.")]


def _practice(rng: random.Random, n: int, ref: Reference, now: Any) -> dict[str, Any]:
    region = rng.choice(list(ref.regions.values()))
    subject = rng.choice(SUBJECTS)
    title = f"{rng.choice(ACTIONS)}: {subject} ({region.name}, №{n})"
    figures = []
    if rng.random() < 0.4:
        indicator, unit = rng.choice(INDICATORS)
        before = rng.randint(1, 500)
        figures.append({"indicator": indicator, "value_before": before, "value_after": before + rng.randint(1, 900),
                        "unit": unit, "period": str(rng.randint(2018, 2025))})
    published = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 5))
    return {
        "slug": f"synthetic-{n}",
        "tracking_code": f"S-{n:08d}",
        "title": title,
        "summary": f"{rng.choice(ACTIONS)} — {subject}. {rng.choice(OUTCOMES)}",
        "problem": rng.choice(PROBLEMS),
        "solution": " ".join(rng.sample(SOLUTIONS, 2)),
        "outcome": rng.choice(OUTCOMES),
        "outcome_figures": figures,
        "region_code": region.code,
        "municipality": f"Муниципальное образование №{rng.randint(1, 400)}",
        "municipality_type_slug": rng.choice(list(ref.municipality_types)),
        "year_started": rng.choice([None, *range(2010, 2026)]),
        "documents": [],
        "status": Status.published,
        "created_at": published,
        "updated_at": published,
        "published_at": published,
        "contact_public": False,
        "synthetic": True,
        "version": 1,
    }


def generate(session: Session, count: int, seed: int = 1, batch: int = 5000,
             progress: Callable[[int], Any] | None = None) -> int:
    """Insert `count` synthetic published practices in bulk; returns how many were written.

    No outbox rows: the caller rebuilds the index (`practices reindex`) once, which is far
    faster than a hundred thousand single updates.
    """
    ref = Reference(session)
    themes = list(ref.themes)
    rng = random.Random(seed)
    start = session.exec(select(func.count()).select_from(Practice).where(Practice.synthetic)).one() + 1
    now = utcnow()
    done = 0
    while done < count:
        size = min(batch, count - done)
        rows = [_practice(rng, start + done + i, ref, now) for i in range(size)]
        session.execute(insert(Practice), rows)
        slugs = [r["slug"] for r in rows]
        ids = dict(session.exec(select(Practice.slug, Practice.id).where(col(Practice.slug).in_(slugs))).all())
        links = [
            {"practice_id": ids[r["slug"]], "theme_slug": t}
            for r in rows
            for t in rng.sample(themes, rng.randint(1, 3))
        ]
        session.execute(insert(PracticeTheme), links)
        session.flush()
        done += size
        if progress:
            progress(done)
    return done
