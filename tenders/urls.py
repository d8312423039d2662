"""The web pages under /processes/: the process, its consultation's questions, the award, the
appeals, the phases of a PCP and the bidder's inbox."""

from django.urls import path

from tenders import work
from tenders.appeals.urls import urlpatterns as appeals_urls
from tenders.award.urls import urlpatterns as award_urls
from tenders.consultation.urls import process_urlpatterns as consultation_urls
from tenders.phases.urls import urlpatterns as phases_urls
from tenders.process.urls import urlpatterns as process_urls

urlpatterns = [
    # The list reads the areas above the process (the questions owed an answer).
    path("", work.dashboard, name="tender-dashboard"),
    *process_urls,
    *consultation_urls,
    *award_urls,
    *appeals_urls,
    *phases_urls,
]
