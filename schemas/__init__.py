"""Herald message and API schemas, shared by every service."""

from schemas.api import ArticleIn, ArticlesAccepted
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
from schemas.subscriptions import Subscription, SubscriptionCreated, SubscriptionIn

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
