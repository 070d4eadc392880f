"""Classes of question the reader must get right whatever their wording: each row is one phrasing
of a class (a feature a framework lacks, a comparative, an inverted negation, quoted text ...)."""

import pytest

from bot.core.knowledge import Knowledge
from bot.core.rules import Intent, Role, RulesAdvisor


@pytest.mark.parametrize(
    ("question", "lacking", "elsewhere"),
    [
        ("Does Django have websockets?", "Django", "WebSockets"),
        ("Does Flask have dependency injection?", "Flask", "dependency injection"),
        ("does fastapi include a test runner", "FastAPI", "test runner"),
    ],
)
def test_rules_feature_a_framework_lacks_lists_what_it_ships(
    rules: RulesAdvisor, knowledge: Knowledge, question: str, lacking: str, elsewhere: str
) -> None:
    answer = rules.answer(question)
    assert answer.recommendation is None
    assert answer.text.startswith(knowledge.responses.fact.not_listed.format(name=lacking))
    assert elsewhere in answer.text


@pytest.mark.parametrize(
    ("question", "criterion", "direction", "winner"),
    [
        ("Is Flask lighter than Django?", "batteries", "lower", "flask"),
        ("Which is older, Flask or FastAPI?", "ecosystem-age", "higher", "flask"),
        ("Between Django and FastAPI, which is faster?", "performance", "higher", "fastapi"),
        ("Does Django have a bigger community than Flask?", "community", "higher", "django"),
        ("Flask vs FastAPI: which has better async?", "async", "higher", "fastapi"),
        ("which of them gives you the least out of the box?", "batteries", "lower", "flask"),
        ("django, flask or fastapi: which has the most limited async story?", "async", "lower", "flask"),
        (
            "which framework is the heaviest when we only need a tiny API-only service?",
            "batteries",
            "higher",
            "django",
        ),
        ("which python framework has its own database layer built in", "orm", "higher", "django"),
        ("Which one has websockets built in?", "websockets", "higher", "fastapi"),
        ("Which framework has dependency injection?", "dependency-injection", "higher", "fastapi"),
        ("Which one includes a test runner?", "test-runner", "higher", "django"),
        ("Which one is most secure?", "security-defaults", "higher", "django"),
        ("orm built in?", "orm", "higher", "django"),
    ],
)
def test_rules_comparatives_and_superlatives_rank(
    rules: RulesAdvisor, question: str, criterion: str, direction: str, winner: str
) -> None:
    parse = rules.read(question)
    assert parse.intent is Intent.RANKING
    assert parse.ranking is not None
    assert (parse.ranking.criterion, parse.ranking.direction) == (criterion, direction)
    assert rules.compose(parse).recommendation == winner


@pytest.mark.parametrize(
    "question",
    [
        "Is Flask's ecosystem as mature as Django's?",
        "is wiring up a database in flask harder than in django?",
        "I want to learn more about async in Django",
    ],
)
def test_rules_comparative_words_about_something_else_do_not_rank(rules: RulesAdvisor, question: str) -> None:
    assert rules.read(question).intent is Intent.FACT


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("What doesn't Flask include?", Role.SUBJECT),
        ("Isn't Flask too small for a big team?", Role.SUBJECT),
        ("We don't need Flask, which one for a big API?", Role.REJECTED),
        ("not Flask, which is best for a small API", Role.REJECTED),
    ],
)
def test_rules_inverted_question_does_not_reject_the_framework(
    rules: RulesAdvisor, question: str, role: Role
) -> None:
    assert [f.role for f in rules.read(question).frameworks if f.id == "flask"] == [role]


@pytest.mark.parametrize(
    ("question", "negated", "wanted"),
    [
        ("no need for a built-in admin, just an API", {"admin"}, {"api"}),
        (
            "we don't need async, docs or validation, it's a tiny prototype",
            {"async", "auto-docs"},
            {"prototype"},
        ),
        ("we don't need any server-rendered pages or a back office, only a REST api", {"admin"}, {"api"}),
        ("no admin needed but we do want async", {"admin"}, {"async"}),
        ("we don't have time to build an admin", set(), {"admin"}),
    ],
)
def test_rules_negation_reaches_lists_and_filler_words_only(
    rules: RulesAdvisor, question: str, negated: set[str], wanted: set[str]
) -> None:
    parse = rules.read(question)
    assert negated <= {n.id for n in parse.needs if n.negated}
    assert wanted <= set(parse.wanted)
    assert not negated & set(parse.wanted)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("remind me of django's motto, the 'for perfectionists with ... deadlines' line", Intent.FACT),
        ("why do people keep saying django is the go-to in fintech?", Intent.FACT),
        ("in fastapi how do i declare the schema of a POST request body", Intent.FACT),
        ("flask got templates or is it just for apis", Intent.FACT),
        ("do i need an extra package to get openapi docs in fastapi like in django or flask?", Intent.FACT),
        ("what should i use on top of django for an API with complex permissions?", Intent.FACT),
        ("Django, Flask or FastAPI for a blog?", Intent.RECOMMENDATION),
        (
            "my boss says we should use Flask for our patient portal with logins. is he right?",
            Intent.RECOMMENDATION,
        ),
        ("team loves type hints, building a new JSON API. pick?", Intent.RECOMMENDATION),
    ],
)
def test_rules_reads_fact_and_decision_cues_anywhere(
    rules: RulesAdvisor, question: str, intent: Intent
) -> None:
    assert rules.read(question).intent is intent


@pytest.mark.parametrize(
    ("question", "in_scope"),
    [
        ("what size erlenmeyer flask do I need for 500 ml of solution?", False),
        ("how do I publish my python package to PyPI?", False),
        ("fastai: how do I fine-tune a resnet?", False),
        ("what fw do ppl use for authn", True),
        ("shoud we use fastpai for a chatbot backend?", True),
    ],
)
def test_rules_scope_by_sense_not_by_spelling(rules: RulesAdvisor, question: str, in_scope: bool) -> None:
    assert rules.answer(question).in_scope is in_scope


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        # "tests" inside "battle-tested" is no topic at all; "what's included" follows the feature
        (
            "is fastapi's ecosystem full of battle-tested extensions?",
            ("extensions", "community", "ecosystem"),
        ),
        ("does flask come with an orm or do we bring our own", ("orm", "includes")),
    ],
)
def test_rules_most_specific_topic_leads(rules: RulesAdvisor, question: str, topics: tuple[str, ...]) -> None:
    assert rules.read(question).topics == topics


@pytest.mark.parametrize(
    ("question", "needs"),
    [
        ('we keep hearing the "perfectionists with deadlines" line, is that Django?', set()),
        ("we are perfectionists with deadlines, is that Django?", {"small-team"}),
        ("our \u2018tight deadline\u2019 joke aside, is Django heavy?", set()),
    ],
)
def test_rules_quoted_words_state_no_needs(rules: RulesAdvisor, question: str, needs: set[str]) -> None:
    assert set(rules.read(question).wanted) == needs


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("a great deal of logic", {"ideal", "login", "creat"}),
        ("we read it on the east coast", {"ready", "least"}),
        ("Flask is our bread and butter", {"better"}),
    ],
)
def test_rules_real_words_are_not_corrected_into_cues(
    rules: RulesAdvisor, text: str, never: set[str]
) -> None:
    assert not never & set(rules.read(text).words)


def test_rules_typos_of_framework_names_are_still_corrected(rules: RulesAdvisor) -> None:
    assert [f.id for f in rules.read("djnago or flsk or fastpai?").frameworks] == [
        "django",
        "flask",
        "fastapi",
    ]


@pytest.mark.parametrize(
    ("question", "criterion", "direction"),
    [
        ("Which framework lacks a built-in admin?", "admin", "lower"),
        ("Which one has no ORM?", "orm", "lower"),
    ],
)
def test_rules_lacking_a_feature_asks_for_the_bottom(
    rules: RulesAdvisor, question: str, criterion: str, direction: str
) -> None:
    ranking = rules.read(question).ranking
    assert ranking is not None
    assert (ranking.criterion, ranking.direction) == (criterion, direction)
    assert rules.answer(question).recommendation is None  # Flask and FastAPI share the bottom


@pytest.mark.parametrize(
    ("question", "expertise"),
    [
        ("As a Flask-heavy team, should we use FastAPI for a small internal service?", ["flask"]),
        ("Nobody here knows FastAPI, we're all Django developers. Small API. Which?", ["django"]),
        ("Every service we run is Flask. Adding a small webhook handler. Which framework?", ["flask"]),
        ("Will moving from Django to FastAPI make our queries faster?", ["django"]),
    ],
)
def test_rules_team_stack_is_what_is_stated_not_asked(
    rules: RulesAdvisor, question: str, expertise: list[str]
) -> None:
    assert list(rules.read(question).expertise) == expertise


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("pros/cons flask", ["weak points", "does best"]),
        ("django upsides and downsides", ["weak points", "best for"]),
    ],
)
def test_rules_pros_and_cons_answer_both_sides(rules: RulesAdvisor, question: str, parts: list[str]) -> None:
    answer = rules.answer(question)
    assert answer.recommendation is None
    assert all(part in answer.text for part in parts)


def test_rules_comparison_on_one_sided_topic_keeps_the_fact_and_row(rules: RulesAdvisor) -> None:
    answer = rules.answer("How do Django and Flask compare on structure for big teams?")
    assert answer.recommendation is None
    assert "inconsisten" in answer.text
    assert "Opinions and conventions" in answer.text


@pytest.mark.parametrize(
    ("plain", "padded"),
    [
        ("which framework is best?", "hey, quick question: which framework is best?"),
        (
            "Flask or FastAPI for a microservice with swagger docs?",
            "real talk: flask or fastapi for a microservice with swagger docs?",
        ),
        (
            "team loves type hints, building a new JSON API. pick?",
            "team loves type hints, building a new JSON API. pick? thanks!",
        ),
        (
            "team loves type hints, building a new JSON API. pick?",
            "team loves type hints, building a new JSON API. pick in 2026?",
        ),
        (
            "is there an admin screen in Flask like Django's?",
            "pls help, is there an admin screen in Flask like Django's?",
        ),
        ("which one gives me a ready made back office?", "what one gives me a ready made back office?"),
    ],
)
def test_rules_padding_does_not_change_the_answer(rules: RulesAdvisor, plain: str, padded: str) -> None:
    expected, found = rules.answer(plain), rules.answer(padded)
    assert (found.recommendation, found.in_scope) == (expected.recommendation, expected.in_scope)
    assert rules.read(padded).intent is rules.read(plain).intent


@pytest.mark.parametrize(
    "question",
    [
        "our fastapi endpoint rejected a payload because a field was a string. what library is doing that checking",
        "oauth2 support in fastapi - built in helpers or roll my own",
        "django drawbacks for simple api-only services asking before a team discussion",
    ],
)
def test_rules_question_without_question_mark_is_still_a_fact(rules: RulesAdvisor, question: str) -> None:
    assert rules.read(question).intent is Intent.FACT


@pytest.mark.parametrize(
    ("question", "in_scope"),
    [
        ("Context: I'm a backend dev at a mid-size company. How do I read a CSV in Python?", False),
        ("Context: I'm a backend dev. best thermos flask for keeping coffee hot?", False),
        (
            "I run a charity. Right now it's all spreadsheets. We need volunteers to log in and sign up. What do you suggest?",
            True,
        ),
    ],
)
def test_rules_off_topic_question_is_judged_on_its_own_sentence(
    rules: RulesAdvisor, question: str, in_scope: bool
) -> None:
    assert rules.answer(question).in_scope is in_scope


@pytest.mark.parametrize(
    ("question", "in_scope", "recommendation"),
    [
        (
            "We want to stream LLM responses to a React frontend via websockets. Which backend framework?",
            True,
            "fastapi",
        ),
        ("Which is better, Vue or React?", False, None),
        (
            "A support ticketing system with agents, tickets, SLAs and reports. Python framework?",
            True,
            "django",
        ),
    ],
)
def test_rules_front_end_words_and_people_are_read_in_context(
    rules: RulesAdvisor, question: str, in_scope: bool, recommendation: str | None
) -> None:
    answer = rules.answer(question)
    assert (answer.in_scope, answer.recommendation) == (in_scope, recommendation)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("I'm not asking you to pick one, just lay out how Django and Flask differ.", Intent.COMPARISON),
        ("Neutral comparison of Flask and FastAPI please, no verdict.", Intent.COMPARISON),
        ("We already picked Django; I just want to understand how FastAPI differs.", Intent.COMPARISON),
    ],
)
def test_rules_refusing_a_verdict_gets_a_comparison(
    rules: RulesAdvisor, question: str, intent: Intent
) -> None:
    assert rules.read(question).intent is intent


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("I'm reading a Fast API traceback. Which library is Fast API built on?", ["fastapi"]),
        ("what do people use to serve a Fast API app, what's the command?", ["fastapi"]),
        ("I need a fast API in Go, what's the quickest way with net/http?", []),
    ],
)
def test_rules_a_name_is_a_name_only_when_typed_as_one(
    rules: RulesAdvisor, question: str, named: list[str]
) -> None:
    assert [f.id for f in rules.read(question).frameworks] == named


def test_rules_words_of_a_name_state_nothing(rules: RulesAdvisor) -> None:
    parse = rules.read("What are Fast API's limitations?")
    assert parse.topics[:1] == ("limits",)
    assert parse.wanted == []
    assert parse.ranking is None


@pytest.mark.parametrize(
    ("question", "recommendation"),
    [
        ("Team of Flask devs; small internal tool; should we try FastAPI just for fun?", "flask"),
        ("We are Django experts. New project: a small internal admin tool. Which framework?", "django"),
        (
            "I only know Flask. I need to build a high-traffic AI inference API. Should I learn FastAPI?",
            "fastapi",
        ),
        (
            "Our team has only ever done Django but the new thing is an async-heavy streaming API. Stay?",
            "fastapi",
        ),
        (
            "Flask team, building a large multi-team platform with strict conventions. Stay on Flask?",
            "django",
        ),
    ],
)
def test_rules_expertise_wins_unless_the_scope_justifies_switching(
    rules: RulesAdvisor, question: str, recommendation: str
) -> None:
    assert rules.answer(question).recommendation == recommendation


@pytest.mark.parametrize(
    ("question", "intent", "recommendation"),
    [
        ("Django vs Flask for a blog?", Intent.RECOMMENDATION, "django"),
        ("fastapi vs flask for a weekend hack, go", Intent.RECOMMENDATION, "flask"),
        ("django vs fastapi: how do they differ for a CMS?", Intent.COMPARISON, None),
        ("django vs flask templates, how do they compare? for a write-up", Intent.COMPARISON, None),
    ],
)
def test_rules_versus_for_a_job_asks_for_a_pick(
    rules: RulesAdvisor, question: str, intent: Intent, recommendation: str | None
) -> None:
    parse = rules.read(question)
    assert parse.intent is intent
    assert rules.compose(parse).recommendation == recommendation


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("which one is the least annoying to learn", "higher"),
        ("which is the most confusing to learn", "lower"),
        ("which is least scary for beginners", "higher"),
    ],
)
def test_rules_a_drawback_word_turns_the_superlative_round(
    rules: RulesAdvisor, question: str, direction: str
) -> None:
    ranking = rules.read(question).ranking
    assert ranking is not None
    assert (ranking.criterion, ranking.direction) == ("learning-curve", direction)


@pytest.mark.parametrize(
    "question",
    [
        "I want Django's admin but also an API for AI calls under heavy load?",
        "We need Django's admin and a high-concurrency API for LLM calls?",
    ],
)
def test_rules_stated_wants_with_a_question_mark_are_a_project(rules: RulesAdvisor, question: str) -> None:
    answer = rules.answer(question)
    assert answer.recommendation == "django"
    assert "FastAPI" in answer.text


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("How is Flask rated for batteries included?", "*Batteries included* for Flask: No."),
        ("Is Flask async?", "*Async support* for Flask: Limited."),
        ("Does Django have an admin?", "*Admin interface* for Django: Built in."),
    ],
)
def test_rules_fact_about_one_framework_gives_its_table_rating(
    rules: RulesAdvisor, question: str, line: str
) -> None:
    answer = rules.answer(question)
    assert answer.recommendation is None
    assert line in answer.text
