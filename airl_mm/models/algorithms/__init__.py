from .mocov2plus import MoCoV2Plus

__all__ = ['MoCoV2Plus']
