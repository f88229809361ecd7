"""POST-only page URLs that a GET does not break: a bookmark, a reload after a refused form, a link
pasted from the address bar, or a login that came back to the form's action, all land on the page
that holds the form, instead of an empty 405.

`post_only` takes the place of Django's `require_POST` on page views (never on the API's, whose 405
is JSON): a POST reaches the view, GET and HEAD redirect to the page, anything else is 405 (with
`Allow`, which mlwa.middleware.MethodNotAllowedMiddleware shows as the site's page)."""

from collections.abc import Callable, Sequence
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

#: What a post-only view's GET goes to: a callable(request, **view_kwargs) -> URL.
Target = Callable[..., str]


def post_only(to: str | Target, *, kwargs: Sequence[str] = ()) -> Callable:
    """Decorate a page view that only writes. `to` is the URL name of the page holding its form,
    reversed with the view's keyword arguments named in `kwargs`, or a callable that returns the URL
    from the request and the view's keyword arguments (for a page that depends on the object).
    The wrapped view carries `post_only_to`, which the tests read to find every such URL."""

    def target(request: HttpRequest, **view_kwargs) -> str:
        if callable(to):
            return to(request, **view_kwargs)
        return reverse(to, kwargs={name: view_kwargs[name] for name in kwargs})

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **view_kwargs) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **view_kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(target(request, **view_kwargs))
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])

        wrapper.post_only_to = target  # type: ignore[attr-defined]
        return wrapper

    return decorator
