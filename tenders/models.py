"""CPI processes, their market consultations, and their tender-to-award records."""

from tenders.appeals.models import Appeal, AppealDocument
from tenders.award.models import (
    Award,
    Bid,
    BidFile,
    CommitteeMember,
    Criterion,
    Lot,
    Score,
    TenderQuestion,
)
from tenders.consultation.models import (
    Answer,
    Attachment,
    Clarification,
    Consultation,
    Question,
    QuestionSummary,
    Response,
    ResponseReview,
    SupplierSubscription,
)
from tenders.process.models import (
    Notification,
    Participant,
    Tender,
    TenderGroupObjectPermission,
    TenderUserObjectPermission,
)

__all__ = [
    "Answer",
    "Appeal",
    "AppealDocument",
    "Attachment",
    "Award",
    "Bid",
    "BidFile",
    "Clarification",
    "CommitteeMember",
    "Consultation",
    "Criterion",
    "Lot",
    "Notification",
    "Participant",
    "Question",
    "QuestionSummary",
    "Response",
    "ResponseReview",
    "Score",
    "SupplierSubscription",
    "Tender",
    "TenderGroupObjectPermission",
    "TenderQuestion",
    "TenderUserObjectPermission",
]
