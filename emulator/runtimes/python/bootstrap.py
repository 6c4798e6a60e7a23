"""Stratus Lambda runtime client for python3.x, started as `python3 bootstrap.py`.

The client itself is the module beside this script: a module's byte code is cached in __pycache__,
while a script is compiled at every start (~2 ms of each cold start). The script's folder is sys.path[0].
"""
from _stratus_bootstrap import main

main()
