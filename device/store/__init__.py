"""device/store"""
