"""drivers/scanner"""
