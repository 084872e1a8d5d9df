"""Herald message and API schemas, shared by every service."""

from schemas.api import ArticleIn, ArticlesAccepted, Subscription, SubscriptionCreated, SubscriptionIn
from schemas.models import (
    SCHEMA_VERSION,
    Alert,
    AlertArticle,
    Article,
    ClassifiedArticle,
    DeadLetter,
    Entity,
    TopicTag,
)

__all__ = [
    "SCHEMA_VERSION",
    "Alert",
    "AlertArticle",
    "Article",
    "ArticleIn",
    "ArticlesAccepted",
    "ClassifiedArticle",
    "DeadLetter",
    "Entity",
    "Subscription",
    "SubscriptionCreated",
    "SubscriptionIn",
    "TopicTag",
]
