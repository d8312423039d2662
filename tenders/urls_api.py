"""The API under /api/v1/ for processes, consultations, the award, appeals and the inbox."""

from tenders.appeals.urls_api import urlpatterns as appeals_urls
from tenders.award.urls_api import urlpatterns as award_urls
from tenders.consultation.urls_api import urlpatterns as consultation_urls
from tenders.phases.urls_api import urlpatterns as phases_urls
from tenders.process.urls_api import urlpatterns as process_urls

urlpatterns = [*process_urls, *consultation_urls, *award_urls, *appeals_urls, *phases_urls]
