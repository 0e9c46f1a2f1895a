from ._kipc import *
