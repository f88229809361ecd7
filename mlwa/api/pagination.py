"""Pages of every API list: `?page=N&page_size=M`, with the count and links to the next and previous."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
