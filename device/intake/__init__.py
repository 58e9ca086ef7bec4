"""device/intake"""
