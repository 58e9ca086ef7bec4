"""device/uplink"""
