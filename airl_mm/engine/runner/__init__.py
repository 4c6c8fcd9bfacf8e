from .airl_runner import AirlRunner

__all__ = ['AirlRunner']
