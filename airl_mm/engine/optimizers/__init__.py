from .lars_constructor import (LARSOptimWrapperConstructor, excluded_by_type,
                               owned_parameters, under)

__all__ = [
    'LARSOptimWrapperConstructor', 'excluded_by_type', 'owned_parameters',
    'under'
]
