from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "credo.accounts"
    label = "accounts"
    verbose_name = "Accounts"
