"""device/reports"""
