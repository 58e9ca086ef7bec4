"""device/demo"""
