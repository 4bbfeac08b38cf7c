from django.http import HttpResponse


def import_start(request):
    return HttpResponse(status=501)


def export_residents(request):
    return HttpResponse(status=501)
