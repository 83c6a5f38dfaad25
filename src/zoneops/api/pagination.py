"""Pages of the REST API: numbered pages of 50 whose total is counted only as far as is cheap.

Every list answers ``{"count", "count_exact", "next", "previous", "results"}``:

- ``next`` / ``previous`` are the links to the neighbouring pages (``null`` at either end).
  Whether there is a next page comes from reading one record more than the page holds, never
  from the count, so it is always right.
- ``count`` is the number of records the query matches, counted up to ``COUNT_LIMIT``
  (10,000). Past that, counting would cost more than the page itself (a province's 600,000
  monthly figures), so ``count_exact`` is ``false`` and ``count`` says "at least this many".
  A page that is not full (the last one) and a query with more records than one page but
  fewer than the limit answer the exact total with ``count_exact: true``.

Page numbers past the end, 0, negative or not a number answer 404 "Invalid page.", as before.
"""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_LIMIT = 10_000


class CountLimitedPagination(PageNumberPagination):
    count_limit = COUNT_LIMIT
    # No page links in the browsable API: they would need the number of the last page.
    template = None
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        number = self._page_number(request)
        offset = (number - 1) * size
        # One record more than the page: whether a next page exists, without counting.
        rows = list(queryset[offset : offset + size + 1])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        self.number, self.has_next = number, len(rows) > size
        rows = rows[:size]
        if not self.has_next:
            self.count, self.count_exact = offset + len(rows), True
        else:
            self.count, self.count_exact = self._count(queryset, at_least=offset + size + 1)
        return rows

    def _page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(self.invalid_page_message) from None
        if number < 1:
            raise NotFound(self.invalid_page_message)
        return number

    def _count(self, queryset, *, at_least: int) -> tuple[int, bool]:
        """The total up to the limit (one bounded query); beyond it a lower bound."""
        limit = max(self.count_limit, at_least)
        if not isinstance(queryset, QuerySet):
            count_up_to = getattr(queryset, "count_up_to", None)  # a sequence that counts itself
            if count_up_to is None:
                return len(queryset), True
            counted = count_up_to(limit)
            return (counted, True) if counted <= limit else (limit, False)
        counted = queryset.order_by().values("pk")[: limit + 1].count()
        if counted <= limit:
            return counted, True
        return limit, False

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_exact", "next", "previous", "results"]
        properties = answer["properties"]
        properties["count"]["description"] = (
            f"Records matching the query; at least this many when count_exact is false "
            f"(counted up to {COUNT_LIMIT:,})."
        )
        answer["properties"] = {
            "count": properties["count"],
            "count_exact": {
                "type": "boolean",
                "description": "Whether count is the exact total (else a lower bound). "
                "Whether there is a next page is always told by next.",
            },
            **{k: v for k, v in properties.items() if k != "count"},
        }
        return answer
