"""drivers/printer"""
