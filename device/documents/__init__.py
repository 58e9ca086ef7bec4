"""device/documents"""
