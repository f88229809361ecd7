"""Pages of every API list: `?page=N&page_size=M`, with the count and links to the next and previous."""

from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from mlwa.api.params import query_number


class Pagination(PageNumberPagination):
    """DRF's page numbers, with both parameters read strictly: `page` a whole number from 1 (or
    `last`), `page_size` a whole number from 1 (above `max_page_size`, that many); anything else is a
    400 naming the parameter (DRF answers 404 "Invalid page." for `page=1e20` and silently ignores a
    bad `page_size`). A page past the last is still a 404, as in DRF."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request: Request, paginator: DjangoPaginator) -> int | str:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        return query_number(request, self.page_query_param) or 1

    def get_page_size(self, request: Request) -> int | None:
        size = query_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)
