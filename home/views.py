from django.shortcuts import render


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Deliberately context-free: the database may be the reason we are here.
    return render(request, "500.html", status=500)
