from django.urls import path

from cairn.web import auth, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("communities/", views.community_list, name="community_list"),
    path("communities/<slug:code>/", views.community_detail, name="community_detail"),
    path("healthz", views.healthz, name="healthz"),
]
