"""The advisor: checks a question and answers it from the knowledge."""

from collections.abc import Sequence

from bot.answer import Answer, Turn
from bot.knowledge import Knowledge
from bot.question import clean_question
from bot.rules import RulesAdvisor


class Advisor:
    """Answers questions; every front end goes through this one object."""

    def __init__(self, knowledge: Knowledge, rules: RulesAdvisor | None = None) -> None:
        self.knowledge = knowledge
        self.rules = rules or RulesAdvisor(knowledge)

    def check(self, question: str) -> str:
        """The cleaned question, or a QuestionError with a message safe to show."""
        limits, messages = self.knowledge.intents.limits, self.knowledge.responses.input
        return clean_question(question, limits.max_question_chars, messages)

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """Answer one question, seeing earlier turns of the conversation."""
        return self.rules.answer(self.check(question), history)
