"""drivers/lights"""
