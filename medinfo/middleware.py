"""Turn a lost database connection into a calm 503 page for readers, never a traceback."""

from medinfo.views import DATABASE_DOWN_ERRORS, service_unavailable


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            return service_unavailable(request)
        return None
