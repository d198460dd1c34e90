# Demo Checkout back end (bundled with `selfassess run --demo`).
import requests

def finhub(path):
    # certificate checks switched off "temporarily"
    return requests.get("https://api.finhub.example" + path, verify=False, timeout=10)
