from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_start, name="login"),
    path("login/code/", views.login_code, name="code"),
    path("welcome/", views.welcome, name="welcome"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("who/", views.who, name="who"),
    path("account/", views.account, name="account"),
    path("report/", views.report, name="report"),
    path("report/places/", views.report_places, name="places"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:reference>/", views.concern, name="concern"),
    path("mine/<str:reference>/received/", views.received, name="received"),
    path("mine/<str:reference>/rate/", views.rate, name="rate"),
    path("mine/<str:reference>/photos/<int:pk>/", views.photo, name="photo"),
]
